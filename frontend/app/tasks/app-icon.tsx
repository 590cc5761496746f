/** The app's few icons, drawn inline (no icon font, nothing fetched); the button around one names it. */
const PATHS = {
  edit: "M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4",
  delete: "M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13",
  menu: "M4 7h16M4 12h16M4 17h16",
  filter: "M4 6h16M7 12h10M10 18h4",
  close: "M6 6l12 12M18 6L6 18",
  inbox: "M4 13l2-8h12l2 8v6H4v-6zM4 13h5l1 2h4l1-2h5",
  today: "M5 6h14v14H5zM5 10h14M9 4v4M15 4v4",
  upcoming: "M5 6h14v14H5zM5 10h14M9 4v4M15 4v4M9 14h2M13 14h2M9 17h2",
  done: "M4 12l5 5L20 6",
  plus: "M12 5v14M5 12h14",
  repeat: "M17 3l3 3-3 3M20 6H8a4 4 0 0 0-4 4v1M7 21l-3-3 3-3M4 18h12a4 4 0 0 0 4-4v-1",
  subtasks: "M5 5h2M5 12h2M5 19h2M10 5h10M13 12h7M13 19h7M10 9v10",
  keyboard: "M3 7h18v11H3zM7 11h1M11 11h2M16 11h1M8 14.5h8",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg className="icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
