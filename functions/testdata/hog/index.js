// Keeps allocating and holding memory until the watchdog stops it (its
// timeout is long, so only the memory limit can end it).
exports.main = async (event) => {
  if (event.mode === 'ok') return 'fine';
  const keep = [];
  for (let i = 0; ; i++) keep.push('x'.repeat(1 << 16) + i); // ~64 KiB each, all kept
};
