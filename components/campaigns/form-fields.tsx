import type { SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { cn } from "@/components/ui/cn";

const control =
  "block w-full rounded-md border-0 px-3 py-2 text-slate-900 shadow-sm ring-1 ring-inset focus:ring-2 focus:ring-inset focus:ring-indigo-600 sm:text-sm";

export function Field({ id, label, error, hint, className, children }: { id: string; label: string; error?: string; hint?: string; className?: string; children: React.ReactNode }) {
  return (
    <div className={cn("space-y-1", className)}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">{label}</label>
      {children}
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && <p id={`${id}-error`} className="text-xs text-rose-600">{error}</p>}
    </div>
  );
}

export function TextArea({ label, error, hint, className, name, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; error?: string; hint?: string }) {
  return (
    <Field id={name} label={label} error={error} hint={hint} className={className}>
      <textarea id={name} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${name}-error` : undefined} className={cn(control, error ? "ring-rose-400" : "ring-slate-300")} {...props} />
    </Field>
  );
}

export function Select({ label, error, hint, className, name, options, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; name: string; error?: string; hint?: string; options: [string, string][] }) {
  return (
    <Field id={name} label={label} error={error} hint={hint} className={className}>
      <select id={name} name={name} aria-invalid={error ? true : undefined} className={cn(control, error ? "ring-rose-400" : "ring-slate-300")} {...props}>
        {options.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
      </select>
    </Field>
  );
}
