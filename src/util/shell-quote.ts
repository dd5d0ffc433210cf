// Quotes a word for a POSIX shell, so a command printed for the user can be pasted as it is.

/** `arg` as one shell word: unchanged when it is plain, else in single quotes. */
export function shellQuote(arg: string): string {
  return /^[\w./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
