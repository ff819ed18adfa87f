// A TypeScript function: bundled at deploy (or when edited on disk).
import { greet } from './lib/greet'

interface Event {
  name?: string
  fail?: boolean
}

export const main = async (event: Event): Promise<{ message: string }> => {
  if (event.fail) {
    throw new Error('failed on purpose')
  }
  return { message: greet(event.name ?? 'world') }
}
