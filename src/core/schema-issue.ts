/** One way a delivery breaks its schema or the envelope rules; shared by validation, history and UI. */
export interface SchemaIssue {
  /** Where: `data.price`, `data.items[0].sku`, `timestamp`, or a header (`header X-Webhook-Delivery`). */
  path: string;
  /** The rule broken: a JSON Schema keyword (`type`, `required`, `format`…) or `envelope`. */
  rule: string;
  message: string;
}

/** The verdict on a received delivery (`listen --validate`), as the history keeps it. */
export interface SchemaVerdict {
  valid: boolean;
  errors: SchemaIssue[];
}

/** `2 problems` — what a list row or a heading says about a failed verdict. */
export function schemaSummary(errors: readonly SchemaIssue[] | null | undefined): string {
  const n = errors?.length ?? 0;
  return n === 1 ? '1 problem' : `${n} problems`;
}

/** `data.price: must be number (type)` — one issue on one line. */
export function issueLine(issue: SchemaIssue): string {
  return `${issue.path}: ${issue.message} (${issue.rule})`;
}
