/** A LUTLinear configuration or input that cannot be run; the message names the culprit. */
export class LutLinearError extends Error {
  override readonly name = 'LutLinearError';
}
