/** An answer of the emulator's API that is not a success: status and the JSON error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `{"error": {"code", "message", "field"?}}`, as the SPEC shapes every error. */
  toJSON(): { error: { code: string; message: string; field?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.field !== undefined ? { field: this.field } : {}) },
    };
  }
}

export const invalid = (field: string, message: string) => new ApiError(422, 'invalid_field', message, field);
