/**
 * Deletions that can be undone. The server call waits out the undo window instead of being
 * reversed afterwards: an undone delete never reached the server, so there is nothing to
 * restore and nothing can be half-restored. Each deletion is one statement on the server
 * (one task, or one clear-completed), so it happens whole or not at all.
 *
 * One deletion waits at a time. Anything else the person does first sends the waiting one,
 * so a clear-completed can never sweep up a task completed after it was asked for.
 * When the page goes away (pagehide) the waiting call is started with fetch keepalive, so a
 * closed tab still does what was asked; if it cannot be sent (no valid token in memory) it is
 * dropped and the tasks are simply still there next time.
 */

export interface Deferred<Info> {
  /** What the page shows while it waits (which rows are hidden, the toast's text). */
  info: Info;
  /** Sends the call now. */
  commit: () => Promise<void>;
  /** Starts the call synchronously, to outlive the page. */
  commitWhileLeaving: () => void;
}

export interface UndoQueueOptions<Info> {
  /** How long the undo stays offered, in milliseconds. */
  delayMs: number;
  /** Called whenever the waiting deletion changes (null: none waits). */
  onChange: (info: Info | null) => void;
  /** Called when a sent deletion fails (the page shows why and reloads the list). */
  onError: (error: unknown, info: Info) => void;
}

export class UndoQueue<Info> {
  private waiting: { deferred: Deferred<Info>; timer: ReturnType<typeof setTimeout> } | null = null;

  constructor(private readonly options: UndoQueueOptions<Info>) {}

  get pending(): Info | null {
    return this.waiting?.deferred.info ?? null;
  }

  /** Waits with `deferred`, sending the one that was waiting first. */
  schedule(deferred: Deferred<Info>): Promise<void> {
    const previous = this.commitNow();
    const timer = setTimeout(() => void this.commitNow(), this.options.delayMs);
    this.waiting = { deferred, timer };
    this.options.onChange(deferred.info);
    return previous;
  }

  /** Forgets the waiting deletion: it is never sent. */
  undo(): Info | null {
    const waiting = this.take();
    if (waiting) this.options.onChange(null);
    return waiting?.info ?? null;
  }

  /** Sends the waiting deletion now, if any; resolves once the server has answered. */
  async commitNow(): Promise<void> {
    const waiting = this.take();
    if (!waiting) return;
    try {
      await waiting.commit();
    } catch (error) {
      this.options.onError(error, waiting.info);
    } finally {
      // The rows stay hidden until the server has answered, so they cannot flash back.
      if (!this.waiting) this.options.onChange(null);
    }
  }

  /** The page is going away: start the waiting call so that it outlives the page. */
  leave(): void {
    this.take()?.commitWhileLeaving();
  }

  private take(): Deferred<Info> | null {
    const waiting = this.waiting;
    if (!waiting) return null;
    clearTimeout(waiting.timer);
    this.waiting = null;
    return waiting.deferred;
  }
}
