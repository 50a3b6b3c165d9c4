// Makes the BookmarkStore callable from the extension host through the vault worker, typed end to
// end: `vault.call('bookmarks', 'tree')`. The store itself is created by the worker's services table.
import type { BookmarkStore } from './bookmarkStore';

declare module '../worker/protocol' {
  interface WorkerServices {
    bookmarks: BookmarkStore;
  }
}
