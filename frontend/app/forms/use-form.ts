"use client";

import { useRef, useState } from "react";
import { explainAuthError, type AuthFailure } from "@/lib/client/auth-errors";

export type FieldErrors = Partial<Record<string, string>>;

/**
 * The state every account form shares: errors per field (by input name), one
 * message for the whole form, a busy flag and a success notice. A failure moves
 * focus to the first field in error, or to the form's message.
 */
export function useForm() {
  const formRef = useRef<HTMLFormElement>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function hasField(name: string): boolean {
    return formRef.current?.elements.namedItem(name) instanceof HTMLInputElement;
  }

  function fail({ fields = {}, message = null }: { fields?: FieldErrors; message?: string | null }) {
    setErrors(fields);
    setAlert(message);
    setNotice(null);
    setBusy(false);
    requestAnimationFrame(() => {
      const first = Object.keys(fields).find(hasField);
      const target = first ? formRef.current?.elements.namedItem(first) : null;
      if (target instanceof HTMLInputElement) target.focus();
      else alertRef.current?.focus();
    });
  }

  /** Shows a server answer in plain words, beside the field it is about when the form has it. */
  function failWith(failure: AuthFailure) {
    const { text, field } = explainAuthError(failure);
    // A form with one password field calls it `password`, whether new or current.
    const name = field === "newPassword" && !hasField(field) ? "password" : field;
    if (name && hasField(name)) fail({ fields: { [name]: text } });
    else fail({ message: text });
  }

  function begin() {
    setBusy(true);
    setErrors({});
    setAlert(null);
    setNotice(null);
  }

  function succeed(message: string | null = null) {
    setBusy(false);
    setNotice(message);
  }

  return { formRef, alertRef, errors, alert, notice, busy, fail, failWith, begin, succeed };
}

/** The text of a form's input by name, trimmed unless it is a password. */
export function readField(form: HTMLFormElement, name: string, { trim = true } = {}): string {
  const value = String(new FormData(form).get(name) ?? "");
  return trim ? value.trim() : value;
}

export function hasErrors(errors: FieldErrors): boolean {
  return Object.values(errors).some(Boolean);
}
