"use client";

import { useModalDialog } from "./use-modal-dialog";

/** What the `?` sheet lists: keys, then what they do. */
export const SHORTCUTS: [keys: string[], action: string][] = [
  [["j", "↓"], "Next task"],
  [["k", "↑"], "Previous task"],
  [["x", "Space"], "Complete or reopen"],
  [["e", "Enter"], "Edit"],
  [["Delete", "Backspace"], "Delete (with undo)"],
  [["t"], "Due today"],
  [["1", "2", "3", "4"], "Priority high, medium, low, none"],
  [["z", "Ctrl+Z"], "Undo"],
  [["Alt+↑", "Alt+↓"], "Move the task up or down (in a list, or with My order)"],
  [["g i", "g t", "g u"], "Open Inbox, Today, Upcoming"],
  [["n"], "New task"],
  [["/"], "Search"],
  [["?"], "This sheet"],
  [["Esc"], "Close or cancel"],
];

interface Props {
  open: boolean;
  onClose: () => void;
}

/** The keyboard sheet: a modal native <dialog> (focus trapped, Escape closes, focus returns). */
export function ShortcutsDialog({ open, onClose }: Props) {
  const dialogRef = useModalDialog(open);

  return (
    <dialog ref={dialogRef} className="dialog shortcuts-dialog" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table className="shortcuts-table">
        <thead className="sr-only">
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map(([keys, action]) => (
            <tr key={action}>
              <td>
                {keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 && " or "}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
              <td>{action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
