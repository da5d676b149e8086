/**
 * The finished items, handed to ink's `<Static>` through an O(1) window onto the
 * append-only log: each item is drawn once, when it arrives, and never again.
 */
import { Static } from 'ink';
import { memo, useMemo } from 'react';
import { windowOf, type AppendLog } from '../append-log.js';
import type { FinishedItem } from '../finished-item.js';
import { FinishedRow } from './finished-row.js';

export const FinishedView = memo(
  function FinishedView({ log }: { log: AppendLog<FinishedItem> }) {
    const items = useMemo(() => windowOf(log), [log]);
    return <Static items={items}>{(item) => <FinishedRow key={item.key} item={item} />}</Static>;
  },
  (before, after) => before.log.count === after.log.count,
);
