"use client";

import { useId, useRef, type ReactNode } from "react";
import { Button } from "./button";

type Props = {
  /** The button that opens the dialog. */
  children: ReactNode;
  /** The dialog's question, e.g. "Close this campaign?". */
  title: string;
  /** What happens, and what cannot be undone. */
  consequence: ReactNode;
  /** The confirming button's text, e.g. "Close campaign". */
  confirmLabel: string;
  variant?: "danger" | "secondary" | "ghost";
  className?: string;
  disabled?: boolean;
  "aria-label"?: string;
};

/**
 * A button for an irreversible action inside a <form>: it opens a modal <dialog> naming the consequence, and only
 * the dialog's confirm button submits the form. The dialog is modal (focus stays in it, Escape cancels, focus goes
 * back to the button), labelled by its title and described by the consequence for screen readers; Cancel has the
 * focus first, so Enter on a reflex does not confirm.
 */
export function ConfirmButton({ children, title, consequence, confirmLabel, variant = "danger", className, disabled, ...rest }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  return (
    <>
      <Button type="button" variant={variant} className={className} disabled={disabled} aria-haspopup="dialog" aria-label={rest["aria-label"]} onClick={() => ref.current?.showModal()}>
        {children}
      </Button>
      <dialog
        ref={ref}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-text`}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-0 text-left shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
        onClick={(e) => {
          if (e.target === ref.current) ref.current.close(); // a click on the backdrop cancels
        }}
      >
        <div className="space-y-3 p-5">
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">{title}</h2>
          <div id={`${id}-text`} className="text-sm text-slate-700">{consequence}</div>
          <div className="flex justify-end gap-2 pt-2">
            <Button type="button" variant="secondary" autoFocus onClick={() => ref.current?.close()}>Cancel</Button>
            <Button type="submit" variant={variant === "ghost" ? "danger" : variant} onClick={() => setTimeout(() => ref.current?.close(), 0)}>{confirmLabel}</Button>
          </div>
        </div>
      </dialog>
    </>
  );
}
