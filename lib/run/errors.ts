/** Errors meant for people: the CLI prints their message alone, without a stack trace. */
export class UserError extends Error {
  override name = "UserError";
}
