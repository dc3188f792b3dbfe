/**
 * Input errors of the allocation statistics (lib/allocate). `field` names the offending input in the terms of
 * the routing policy or the call (e.g. "budget", "piMin", "trustTarget"), so an API layer can map it to a
 * validation message on that field.
 */
export class AllocationInputError extends Error {
  override readonly name = "AllocationInputError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
