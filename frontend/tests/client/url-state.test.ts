import { describe, expect, it } from "vitest";
import {
  apiFilters,
  apiListQuery,
  DEFAULT_STATE,
  isManualOrder,
  listSearch,
  openView,
  parseListState,
  serializeListState,
  type ListState,
} from "@/lib/client/url-state";

const parse = (search: string) => parseListState(new URLSearchParams(search));
const TODAY = "2026-11-28";

describe("URL state", () => {
  it("is empty for the default list, and the empty URL is the default list", () => {
    expect(serializeListState(DEFAULT_STATE).toString()).toBe("");
    expect(listSearch(DEFAULT_STATE)).toBe("");
    expect(parse("")).toEqual(DEFAULT_STATE);
  });

  it("round-trips every field", () => {
    const state: ListState = {
      view: "inbox",
      list: null,
      status: "active",
      q: "pay rent",
      priority: ["high", "low"],
      tag: ["home", "side project"],
      due: "week",
      sort: "due",
      order: "desc",
    };
    const search = serializeListState(state).toString();
    expect(search).toBe("status=active&q=pay+rent&priority=high&priority=low&tag=home&tag=side+project&due=week&sort=due&order=desc");
    expect(parse(search)).toEqual(state);
  });

  it("keeps the sidebar's view; Today is due today or overdue, Upcoming the next seven days, in place of the due filter", () => {
    expect(parse("view=today").view).toBe("today");
    expect(parse("view=nowhere").view).toBe("inbox");
    expect(listSearch({ ...DEFAULT_STATE, ...openView("upcoming") })).toBe("?view=upcoming");
    expect(apiFilters({ ...DEFAULT_STATE, view: "today", due: "none" }, TODAY)).toEqual({ due_to: TODAY });
    expect(apiFilters({ ...DEFAULT_STATE, view: "upcoming" }, TODAY)).toEqual({ due_from: TODAY, due_to: "2026-12-04" });
  });

  it("shows the Inbox as the tasks in no list, a list by its id in manual order, Completed as every completed task", () => {
    expect(apiFilters(DEFAULT_STATE, TODAY)).toEqual({ list: "inbox" });
    const work = parse("list=7");
    expect(work).toMatchObject({ list: 7, sort: "manual", order: "asc" });
    expect(listSearch(work)).toBe("?list=7");
    expect(apiListQuery(work, TODAY, { limit: 50, offset: 0 })).toEqual({ list: 7, sort: "manual", limit: 50, offset: 0 });
    expect(isManualOrder(work)).toBe(true);
    expect(isManualOrder({ ...work, q: "rent" })).toBe(false);
    expect(parse("list=0").list).toBeNull();
    expect(parse("list=x&view=today").view).toBe("today");
    const completed = { ...DEFAULT_STATE, ...openView("completed") };
    expect(listSearch(completed)).toBe("?view=completed");
    expect(apiListQuery(completed, TODAY, { limit: 50, offset: 0 })).toEqual({ completed: true, sort: "created", limit: 50, offset: 0 });
    // Today and Upcoming are by day until another order is chosen.
    expect(parse("view=upcoming")).toMatchObject({ sort: "due", order: "asc" });
    expect(listSearch({ ...parse("view=upcoming"), sort: "title", order: "asc" })).toBe("?view=upcoming&sort=title");
  });

  it("writes the same URL for the same list whatever the order things were chosen in", () => {
    const a = serializeListState({ ...DEFAULT_STATE, priority: ["low", "high"], tag: ["work", "home"] }).toString();
    const b = serializeListState({ ...DEFAULT_STATE, priority: ["high", "low"], tag: ["home", "work"] }).toString();
    expect(a).toBe(b);
  });

  it("leaves a sort's own direction out of the URL, and keeps the reverse", () => {
    expect(serializeListState({ ...DEFAULT_STATE, sort: "title", order: "asc" }).toString()).toBe("sort=title");
    expect(serializeListState({ ...DEFAULT_STATE, sort: "title", order: "desc" }).toString()).toBe("sort=title&order=desc");
    expect(serializeListState({ ...DEFAULT_STATE, order: "asc" }).toString()).toBe("order=asc");
    expect(parse("sort=due")).toMatchObject({ sort: "due", order: "asc" });
    expect(parse("sort=priority")).toMatchObject({ sort: "priority", order: "desc" });
  });

  it("drops what it does not know instead of failing a hand-edited link", () => {
    expect(parse("status=done&sort=size&order=up&due=someday&priority=urgent&priority=low&q=%20%20")).toEqual({
      ...DEFAULT_STATE,
      priority: ["low"],
    });
  });

  it("normalises tags as the API stores them, without duplicates, at most ten", () => {
    expect(parse("tag=%20Home%20&tag=home&tag=Side%20%20Project&tag=").tag).toEqual(["home", "side project"]);
    // "İ" lower-cases to two characters in JavaScript; the API keeps it as typed.
    expect(parse("tag=%C4%B0zmir").tag).toEqual(["İzmir"]);
    const many = Array.from({ length: 12 }, (_, i) => `tag=t${i}`).join("&");
    expect(parse(many).tag).toHaveLength(10);
  });

  it("cuts a search to the API's 100 characters", () => {
    expect(parse(`q=${"a".repeat(250)}`).q).toHaveLength(100);
  });
});

describe("API queries from the URL state", () => {
  it("searches the first ten words of a longer search (the API refuses more)", () => {
    const words = "one two three four five six seven eight nine ten eleven twelve";
    expect(apiFilters({ ...DEFAULT_STATE, q: words }, TODAY).q).toBe("one two three four five six seven eight nine ten");
  });

  it("sends status only to the list, and due presets as local-day ranges", () => {
    const state = parse("status=completed&due=overdue&tag=home&q=rent");
    expect(apiFilters(state, TODAY)).toEqual({ list: "inbox", q: "rent", tag: ["home"], due_to: "2026-11-27" });
    expect(apiListQuery(state, TODAY, { limit: 50, offset: 100 })).toEqual({
      list: "inbox",
      q: "rent",
      tag: ["home"],
      due_to: "2026-11-27",
      completed: true,
      sort: "created",
      limit: 50,
      offset: 100,
    });
  });

  it("maps each due preset", () => {
    expect(apiFilters(parse("view=completed&due=today"), TODAY)).toEqual({ due_from: TODAY, due_to: TODAY });
    expect(apiFilters(parse("view=completed&due=week"), "2026-12-29")).toEqual({ due_from: "2026-12-29", due_to: "2027-01-04" });
    expect(apiFilters(parse("view=completed&due=none"), TODAY)).toEqual({ has_due: false });
    expect(apiFilters(parse("list=3&due=overdue"), "2026-03-01")).toEqual({ list: 3, due_to: "2026-02-28" });
  });

  it("sends order only when it reverses the sort's own direction", () => {
    expect(apiListQuery(parse("sort=due"), TODAY, { limit: 50, offset: 0 })).not.toHaveProperty("order");
    expect(apiListQuery(parse("sort=due&order=desc"), TODAY, { limit: 50, offset: 0 })).toMatchObject({ sort: "due", order: "desc" });
  });
});
