/** Errors of the apply engine that are not the wire's: stable codes, a hint for the user. */
export class ApplyError extends Error {
  constructor(
    readonly code: 'MA_ERR_BUSY' | 'MA_ERR_NOT_FOUND' | 'MA_ERR_NO_FRAMEWORK',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApplyError';
  }
}
