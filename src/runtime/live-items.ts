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
  /** Items queued at batch-native nodes (src/runtime/batch-native/), and items in their calls. */
  private heldCount = 0;
  private evaluatingCount = 0;

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

  /** Items waiting in a batch-native node's queue (they send nothing until their batch is called). */
  hold(count: number): void {
    this.heldCount += count;
  }

  release(count: number): void {
    this.heldCount -= count;
  }

  /** Items in a batch-native call: they wait on it, like items waiting on a model request. */
  startEvaluating(count: number): void {
    this.evaluatingCount += count;
  }

  stopEvaluating(count: number): void {
    this.evaluatingCount -= count;
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
   * is either waiting on the accumulator, held at or in a batch-native call, or parked until its step's other items
   * are answered.
   */
  nothingElseCanArrive(waiting: number): boolean {
    return !this.admissionOpen && waiting + this.parkedIds.size + this.heldCount + this.evaluatingCount >= this.live;
  }

  /**
   * True when nothing at all is under way: admission is closed, no request or batch-native call is out, and every
   * live item is parked or held in a batch-native queue. Only then does a join group short of its count end its
   * window: no item that could complete it is still on its way.
   */
  stalled(waiting: number): boolean {
    return (
      !this.admissionOpen &&
      waiting === 0 &&
      this.evaluatingCount === 0 &&
      this.parkedIds.size + this.heldCount >= this.live
    );
  }
}
