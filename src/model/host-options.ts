/** Where and with which key one provider is reached. */
export interface HostOptions {
  /** The provider's key; prefer its environment variable. */
  apiKey?: string
  /** Base URL; tests point it at a loopback server. */
  apiUrl?: string
}
