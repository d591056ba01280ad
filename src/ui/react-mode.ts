/**
 * Selects React's production build before ink and react are first imported. The development build
 * records every render for profiling tools; in a long-running TUI that takes thousands of updates a
 * second that record grows without bound (gigabytes within a minute) and slows rendering to a crawl.
 */
export function selectProductionReact(): void {
  process.env.NODE_ENV ??= 'production';
}
