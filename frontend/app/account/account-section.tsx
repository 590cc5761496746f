import { useId, type ReactNode } from "react";

/** One part of the account page: a card named by its heading (`className` adds to the card's classes). */
export function AccountSection({ title, className, children }: { title: string; className?: string; children: ReactNode }) {
  const titleId = useId();
  return (
    <section className={className ? `card section ${className}` : "card section"} aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      {children}
    </section>
  );
}
