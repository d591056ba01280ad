/** The event schemas' validators, compiled to plain code at build time (scripts/inspector-page.js). */
declare module 'inspector-generated:event-validators' {
  import type { ErrorObject } from 'ajv';

  export interface GeneratedValidator {
    (value: unknown): boolean;
    errors?: ErrorObject[] | null;
  }

  export const validators: Record<string, GeneratedValidator>;
}
