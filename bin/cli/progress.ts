/** A one-line progress bar on stderr, only for a person watching a large replay. */
export function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastDrawn = 0;
  return (done, total) => {
    const now = Date.now();
    if (now - lastDrawn < 100 && done < total) return;
    lastDrawn = now;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const filled = Math.round(fraction * width);
    stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% of ${(total / 1e6).toFixed(1)} MB`);
    if (done >= total) stream.write('\r\x1b[K');
  };
}
