import type { ComponentProps } from "react";

type Props = Omit<ComponentProps<"button">, "type" | "onClick" | "aria-expanded" | "aria-controls"> & {
  open: boolean;
  /** The id of the region the button shows and hides. */
  controls: string;
  onOpenChange: (open: boolean) => void;
};

/** A button that shows and hides a region of the page, and says to assistive technology whether it is shown. */
export function DisclosureButton({ open, controls, onOpenChange, ...button }: Props) {
  return <button {...button} type="button" aria-expanded={open} aria-controls={controls} onClick={() => onOpenChange(!open)} />;
}
