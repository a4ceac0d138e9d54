import { EventEmitter } from 'node:events';

/** Something a reader could see has changed. Pages that show it must be rendered again. */
export type ContentChange =
  | { kind: 'post'; postId: number }
  | { kind: 'comment'; postId: number }
  | { kind: 'book'; bookId: number }
  | { kind: 'site' };

/**
 * Where services announce their writes, after they commit. The composition root
 * subscribes the page cache; with several instances a database channel will carry them.
 */
export class ChangeFeed {
  #emitter = new EventEmitter();

  publish(change: ContentChange): void {
    this.#emitter.emit('change', change);
  }

  subscribe(listener: (change: ContentChange) => void): () => void {
    this.#emitter.on('change', listener);
    return () => this.#emitter.off('change', listener);
  }
}
