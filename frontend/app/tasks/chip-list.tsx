import styles from "./add-task-form.module.css";

export interface RemovableChip {
  key: string;
  label: string;
  /** The × button's accessible name. */
  removeLabel: string;
  /** The × button's tooltip, where it has more to say than the name. */
  removeTitle?: string;
  invalid?: boolean;
  onRemove: () => void;
}

/** Chips in a list named `label`, each with a × that removes it; nothing while there are none. */
export function ChipList({ label, chips }: { label: string; chips: readonly RemovableChip[] }) {
  if (chips.length === 0) return null;
  return (
    <ul className={styles.chips} aria-label={label}>
      {chips.map((chip) => (
        <li key={chip.key} className={chip.invalid ? `${styles.chip} ${styles.chipInvalid}` : styles.chip}>
          <span>
            {chip.label}
            {chip.invalid && <span className="sr-only"> (invalid)</span>}
          </span>
          <button type="button" className={styles.chipRemove} aria-label={chip.removeLabel} title={chip.removeTitle} onClick={chip.onRemove}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
