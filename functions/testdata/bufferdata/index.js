// A Buffer in wx.cloud's data arrives as {type: 'Buffer', data: [bytes]};
// Buffer.from turns it back, as in Node.
exports.main = async (event) => {
  const b = Buffer.from(event.file)
  return { text: b.toString(), isBuffer: Buffer.isBuffer(b), roundTrip: JSON.stringify(b) === JSON.stringify(event.file) }
}
