import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export const ROW_HEIGHT = 20;
const OVERSCAN = 20;

/**
 * A scroll box that renders only the rows in view (plus a margin), so a log of 100,000 lines
 * costs what a screenful costs. It follows the bottom while `follow` is on and the user has
 * not scrolled up; `reveal` (a row index) scrolls that row into view.
 */
export function VirtualRows({
  count,
  render,
  follow,
  reveal,
  label,
}: {
  count: number;
  render(index: number): ReactNode;
  follow: boolean;
  reveal?: { index: number };
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [top, setTop] = useState(0);
  const [height, setHeight] = useState(360);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, follow]);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !reveal) return;
    stick.current = false;
    const y = reveal.index * ROW_HEIGHT;
    if (y < el.scrollTop || y + ROW_HEIGHT > el.scrollTop + el.clientHeight)
      el.scrollTop = Math.max(0, y - el.clientHeight / 2);
    setTop(el.scrollTop);
  }, [reveal]);

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(render(i));
  return (
    <div
      ref={box}
      className="log-lines"
      tabIndex={0}
      role="log"
      aria-label={label}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        setTop(el.scrollTop);
      }}
    >
      <div className="log-canvas" style={{ height: count * ROW_HEIGHT }}>
        <div style={{ transform: `translateY(${first * ROW_HEIGHT}px)` }}>{rows}</div>
      </div>
    </div>
  );
}
