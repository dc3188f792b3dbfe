import { cn } from "./cn";

/**
 * A table that scrolls sideways inside its card when it is wider than the screen (a phone), rather than widening the
 * page. The scroll box is focusable, so a keyboard user can scroll it too (the table inside carries the caption).
 */
export function Table({ children, caption }: { children: React.ReactNode; caption?: string }) {
  return (
    // relative: absolutely positioned content inside (sr-only text) is clipped by this box, not by the page.
    <div className="relative overflow-x-auto" tabIndex={0}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        {caption && <caption className="sr-only">{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export function Th({ children, className, numeric }: { children?: React.ReactNode; className?: string; numeric?: boolean }) {
  return (
    <th scope="col" className={cn("px-3 py-2 text-left text-xs font-semibold text-slate-600", numeric && "text-right", className)}>
      {children}
    </th>
  );
}

export function Td({ children, className, numeric }: { children?: React.ReactNode; className?: string; numeric?: boolean }) {
  return <td className={cn("whitespace-nowrap px-3 py-2 text-slate-700", numeric && "text-right tabular-nums", className)}>{children}</td>;
}
