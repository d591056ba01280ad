/** Headers as the editor shows them: one `Name: value` a line. */

export interface HeaderParse {
  headers: Record<string, string>;
  problems: string[];
}

export function headersToLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The lines back as lower-case name → value; blank lines are skipped, a repeated name joined with ", ". */
export function linesToHeaders(text: string): HeaderParse {
  const headers: Record<string, string> = {};
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon).trim();
    if (colon < 0 || !NAME.test(name)) {
      problems.push(`header line ${i + 1}: write it as "Name: value"`);
      return;
    }
    const lower = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  });
  return { headers, problems };
}
