"use client";

import {
  closestCenter,
  DndContext,
  PointerSensor,
  pointerWithin,
  TouchSensor,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { SortableContext, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { ReactNode } from "react";
import type { Task, TaskList } from "@/lib/client/api";

/** A sidebar target: a list's id, or the Inbox. */
const listTarget = (listId: number | null) => `list:${listId ?? "inbox"}`;

function targetList(id: UniqueIdentifier): number | null | undefined {
  const match = /^list:(inbox|\d+)$/.exec(String(id));
  if (!match) return undefined;
  return match[1] === "inbox" ? null : Number(match[1]);
}

// A list in the sidebar under the pointer wins over the row nearest to it.
const collision: CollisionDetection = (args) => {
  const lists = pointerWithin(args).filter((c) => targetList(c.id) !== undefined);
  return lists.length ? lists : closestCenter({ ...args, droppableContainers: args.droppableContainers.filter((c) => targetList(c.id) === undefined) });
};

interface Props {
  rows: Task[];
  lists: TaskList[];
  /** Null when the rows are not in manual order: they can still be dropped on a list. */
  onReorder: ((task: Task, afterId: number | null) => void) | null;
  onToList: (task: Task, listId: number | null) => void;
  children: ReactNode;
}

/**
 * Drag to reorder (pointer, and touch after a short press so that scrolling still works) and
 * to move a task onto a list in the sidebar; each step is announced to screen readers. The
 * keyboard has Alt+↑/↓ for the same moves (see TasksPage).
 */
export function TaskDnd({ rows, lists, onReorder, onToList, children }: Props) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 6 } }),
  );
  const title = (id: UniqueIdentifier) => rows.find((t) => t.id === id)?.title ?? "the task";
  const place = (id: UniqueIdentifier | undefined) => {
    if (id === undefined) return "nowhere";
    const list = targetList(id);
    if (list === undefined) return `over ${title(id)}`;
    return `over the list ${list === null ? "Inbox" : (lists.find((l) => l.id === list)?.name ?? "")}`;
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${title(active.id)}.`,
    onDragOver: ({ active, over }) => `${title(active.id)} is ${place(over?.id)}.`,
    onDragEnd: ({ active, over }) => (over ? `${title(active.id)} was dropped ${place(over.id)}.` : `${title(active.id)} was dropped.`),
    onDragCancel: ({ active }) => `Moving ${title(active.id)} was cancelled.`,
  };

  function onDragEnd({ active, over }: DragEndEvent) {
    const task = rows.find((t) => t.id === active.id);
    if (!task || !over || over.id === active.id) return;
    const list = targetList(over.id);
    if (list !== undefined) {
      onToList(task, list);
      return;
    }
    if (!onReorder) return;
    const from = rows.findIndex((t) => t.id === active.id);
    const to = rows.findIndex((t) => t.id === over.id);
    if (to < 0) return;
    // Dropped on a row below: it goes after that row; above: after the one before it.
    onReorder(task, to > from ? rows[to].id : (rows[to - 1]?.id ?? null));
  }

  return (
    <DndContext id="task-dnd" sensors={sensors} collisionDetection={collision} onDragEnd={onDragEnd} accessibility={{ announcements }}>
      <SortableContext items={rows.map((t) => t.id)} strategy={verticalListSortingStrategy}>
        {children}
      </SortableContext>
    </DndContext>
  );
}

/** A row that can be dragged: its ref, the pointer listeners, and where it is drawn meanwhile.
 * The sortable's button role and Tab stop are left out: the row keeps its roving checkbox. */
export function useDraggableRow(id: number) {
  const { setNodeRef, listeners, transform, transition, isDragging } = useSortable({ id });
  return { setNodeRef, listeners, style: { transform: CSS.Translate.toString(transform), transition }, isDragging };
}

/** A sidebar entry a task can be dropped on. */
export function useListDrop(listId: number | null) {
  return useDroppable({ id: listTarget(listId) });
}
