"use client";

import { forwardRef, useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { MIN_PASSWORD_LENGTH } from "@/lib/shared/limits";

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  name: string;
  /** Shown under the input, and read out with it (aria-describedby). */
  hint?: ReactNode;
  /** This field's problem; marks the input aria-invalid and is read out with it. */
  error?: string;
  /** A control beside the input (the password field's show/hide button). */
  addon?: (inputId: string) => ReactNode;
}

/** A labelled input whose hint and error are tied to it for assistive technology. */
export const Field = forwardRef<HTMLInputElement, FieldProps>(function Field(
  { label, name, hint, error, addon, ...input },
  ref,
) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  const field = (
    <input ref={ref} id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
  );
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {addon ? (
        <div className="input-row">
          {field}
          {addon(id)}
        </div>
      ) : (
        field
      )}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
});

type PasswordFieldProps = Omit<FieldProps, "type" | "addon">;

/** A password input with a button that shows what was typed (and hides it again). */
export function PasswordField(props: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  return (
    <Field
      {...props}
      type={visible ? "text" : "password"}
      spellCheck={false}
      autoCapitalize="off"
      addon={(inputId) => (
        <button
          type="button"
          className="toggle"
          aria-controls={inputId}
          aria-pressed={visible}
          onClick={() => setVisible((shown) => !shown)}
        >
          {visible ? "Hide" : "Show"}
        </button>
      )}
    />
  );
}

/** The new password of a reset or a change: its rule, and what setting it does (`effect`). */
export function NewPasswordField({ effect, error }: { effect: string; error?: string }) {
  return (
    <PasswordField
      label="New password"
      name="newPassword"
      autoComplete="new-password"
      hint={`At least ${MIN_PASSWORD_LENGTH} characters. ${effect}`}
      required
      error={error}
    />
  );
}

/** A message for the whole form; focusable so that a failure can move focus to it. */
export const FormAlert = forwardRef<HTMLDivElement, { message: string | null }>(function FormAlert({ message }, ref) {
  if (!message) return null;
  return (
    <div role="alert" className="alert" ref={ref} tabIndex={-1}>
      {message}
    </div>
  );
});

/** Good news (saved, sent, signed out): announced politely, never stealing focus. */
export function FormNotice({ message }: { message: string | null }) {
  return (
    <p role="status" className={message ? "notice" : "sr-only"}>
      {message}
    </p>
  );
}

/** A select's options: each of `values`, shown by its name in `names`. */
export function NamedOptions<T extends string>({ values, names }: { values: readonly T[]; names: Record<T, string> }) {
  return values.map((value) => (
    <option key={value} value={value}>
      {names[value]}
    </option>
  ));
}
