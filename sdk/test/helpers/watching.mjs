// watching starts query.watch and queues what it reports: next() resolves
// with the next snapshot, failed() with the error that ended it.
export function watching(query) {
  const snaps = [];
  const waiting = [];
  let error;
  let onFail;
  const failed = new Promise((r) => (onFail = r));
  const watcher = query.watch({
    onChange: (s) => (waiting.length ? waiting.shift()(s) : snaps.push(s)),
    onError: (e) => {
      error = e;
      onFail(e);
    },
  });
  return {
    watcher,
    failed,
    next() {
      if (error) return Promise.reject(error);
      if (snaps.length) return Promise.resolve(snaps.shift());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no snapshot within 30 s')), 30000);
        waiting.push((s) => (clearTimeout(t), resolve(s)));
      });
    },
    pending: () => snaps.length,
  };
}

