// The run's scheduling state, in one place: how many items were admitted and finished, which live items are parked
// (done with their node, waiting for the rest of their LangGraph step), and whether admission is open. From these it
// answers the accumulator's question "can anything else arrive?": when it cannot, a partial batch goes out at once
// instead of waiting out its max wait.
export class LiveItems {
  private admittedCount = 0;
  private finishedCount = 0;
  private readonly parkedIds = new Set<string>();
  /** The chunk scheduler would take more input now (the window has room and no stop was asked). */
  private admitting = true;
  /** Every input record has been read: nothing new can be admitted, whatever the window. */
  private inputExhausted = false;

  get admitted(): number {
    return this.admittedCount;
  }

  get finished(): number {
    return this.finishedCount;
  }

  /** Items admitted and not finished: in a chunk, waiting on a request, a tool, or parked. */
  get live(): number {
    return this.admittedCount - this.finishedCount;
  }

  get parked(): number {
    return this.parkedIds.size;
  }

  admit(count: number): void {
    this.admittedCount += count;
  }

  finish(count: number): void {
    this.finishedCount += count;
  }

  park(id: string): void {
    this.parkedIds.add(id);
  }

  unpark(id: string): void {
    this.parkedIds.delete(id);
  }

  /** The scheduler opens admission when its window has room and closes it when full or stopping. */
  setAdmitting(open: boolean): void {
    this.admitting = open;
  }

  /** The input is fully read: admission stays closed from here on, even when chunks finish and free the window. */
  endOfInput(): void {
    this.inputExhausted = true;
  }

  get admissionOpen(): boolean {
    return this.admitting && !this.inputExhausted;
  }

  /**
   * True when no request can be added to the accumulator's `waiting` ones: admission is closed and every live item
   * is either waiting on the accumulator or parked until its step's other items are answered.
   */
  nothingElseCanArrive(waiting: number): boolean {
    return !this.admissionOpen && waiting + this.parkedIds.size >= this.live;
  }
}
