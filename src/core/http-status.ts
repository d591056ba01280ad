/** An HTTP answer in 200–299: the only answers that count as a delivered webhook. */
export function isSuccessStatus(status: number | null | undefined): boolean {
  return typeof status === 'number' && status >= 200 && status < 300;
}
