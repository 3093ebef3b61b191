// Loader errors name the file. Checks deeper down (a layer spec, a state
// dict against a model, an optimizer state) do not know which file their
// values came from; a loader runs them through inFile, which puts the file
// in front of a TypeError's or RangeError's message, keeping its class.
export function inFile<T>(file: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof TypeError || err instanceof RangeError) || err.message.includes(file)) throw err;
    const Ctor = err instanceof RangeError ? RangeError : TypeError;
    const named = new Ctor(`${file}: ${err.message}`, { cause: err });
    throw named;
  }
}
