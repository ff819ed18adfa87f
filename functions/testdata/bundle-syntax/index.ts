// A TypeScript function with a syntax error on line 4.
export const main = async (event: { a: number }) => {
  const total = event.a +
  return { total }
}
