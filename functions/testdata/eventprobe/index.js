// What a function can see and do with its event: it must behave as the
// object JSON.parse makes of the event's JSON.
exports.main = (event) => {
  const same = event.nested === event.nested;
  event.nested.added = 1;
  event.extra = true;
  delete event.gone;
  return {
    keys: Object.keys(event),
    same,
    persisted: event.nested.added,
    big: event.big,
    text: event.text,
    isArray: Array.isArray(event.list),
    hasOwn: Object.prototype.hasOwnProperty.call(event, 'text'),
    hasGone: 'gone' in event,
    spread: Object.keys({ ...event }),
    proto: Object.getPrototypeOf(event) === Object.prototype,
    when: event.when,
    dup: event.dup,
    json: JSON.stringify(event),
  };
};
