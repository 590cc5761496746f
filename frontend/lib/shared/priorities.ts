/**
 * A task's priorities and their labels, defined once. The type comes from the generated API
 * types, and `satisfies` makes the labels name every priority the API has and no other: a
 * priority added to or removed from the backend fails the type check here.
 */
import type { components } from "./api-types";

export type Priority = components["schemas"]["TaskPublic"]["priority"];

/** Highest first: the order every list of priorities shows. */
export const PRIORITY_LABELS = {
  high: "High",
  medium: "Medium",
  low: "Low",
  none: "None",
} as const satisfies Record<Priority, string>;

export const PRIORITIES = Object.keys(PRIORITY_LABELS) as readonly Priority[];
