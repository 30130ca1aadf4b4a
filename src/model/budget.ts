/** What one build may generate before it stops with zero calls. */
export interface Budget {
  /**
   * Most images one build may generate.
   * @default 10
   */
  maxImages?: number
  /**
   * Most estimated spend of one build, in US dollars.
   * @default Infinity
   */
  maxCost?: number
}
