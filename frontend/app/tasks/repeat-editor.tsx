"use client";

import { useState } from "react";
import { buildRule, describeRepeat, FREQS, parseRule, REPEAT_PRESETS, WEEKDAY_NAMES, WEEKDAYS, type Freq, type RuleParts } from "@/lib/client/repeat";
import { NamedOptions } from "@/app/forms/fields";

const FREQ_UNITS: Record<Freq, string> = { DAILY: "days", WEEKLY: "weeks", MONTHLY: "months", YEARLY: "years" };
const CUSTOM = "custom";

interface Props {
  id: string;
  repeat: string | null;
  from: "due" | "completion";
}

/**
 * The edit form's repeat: none, a preset, or a custom rule (every N units, on weekdays, on a day
 * of the month), and whether the next date counts from completion. Its value goes into the form
 * as `repeat` and `repeat_from`.
 */
export function RepeatEditor({ id, repeat, from }: Props) {
  const [rule, setRule] = useState(repeat ?? "");
  const [fromCompletion, setFromCompletion] = useState(from === "completion");
  const preset = REPEAT_PRESETS.find((p) => p.rule === rule);
  const [custom, setCustom] = useState(rule !== "" && !preset);
  const parts: RuleParts = parseRule(rule) ?? { freq: "DAILY", interval: 1, byday: [], bymonthday: [], rest: [] };

  function edit(change: Partial<RuleParts>) {
    setRule(buildRule({ ...parts, ...change }));
  }

  function toggleDay(day: string) {
    edit({ byday: parts.byday.includes(day) ? parts.byday.filter((d) => d !== day) : WEEKDAYS.filter((d) => d === day || parts.byday.includes(d)) });
  }

  return (
    <fieldset className="repeat-editor">
      <legend>Repeat</legend>
      <input type="hidden" name="repeat" value={rule} />
      <input type="hidden" name="repeat_from" value={rule && fromCompletion ? "completion" : "due"} />
      <select
        id={`${id}-preset`}
        aria-label="Repeat"
        value={custom ? CUSTOM : rule}
        onChange={(event) => {
          const value = event.target.value;
          setCustom(value === CUSTOM);
          setRule(value === CUSTOM ? rule || "FREQ=DAILY" : value);
        }}
      >
        <option value="">Never</option>
        {REPEAT_PRESETS.map((p) => (
          <option key={p.rule} value={p.rule}>
            {p.label}
          </option>
        ))}
        <option value={CUSTOM}>Custom…</option>
      </select>
      {custom && (
        <div className="repeat-custom">
          <label htmlFor={`${id}-interval`}>Every</label>
          <input
            id={`${id}-interval`}
            type="number"
            min={1}
            max={999}
            value={parts.interval}
            onChange={(event) => edit({ interval: Math.max(1, Number(event.target.value) || 1) })}
          />
          <select aria-label="Unit" value={parts.freq} onChange={(event) => edit({ freq: event.target.value as Freq, byday: [], bymonthday: [] })}>
            <NamedOptions values={FREQS} names={FREQ_UNITS} />
          </select>
          {parts.freq === "WEEKLY" && !fromCompletion && (
            <div role="group" aria-label="On days" className="weekdays">
              {WEEKDAYS.map((day) => (
                <button key={day} type="button" className="chip" aria-pressed={parts.byday.includes(day)} onClick={() => toggleDay(day)}>
                  {WEEKDAY_NAMES[day]}
                </button>
              ))}
            </div>
          )}
          {parts.freq === "MONTHLY" && !fromCompletion && (
            <>
              <label htmlFor={`${id}-monthday`}>on day</label>
              <select
                id={`${id}-monthday`}
                value={parts.bymonthday[0] ?? ""}
                onChange={(event) => edit({ bymonthday: event.target.value ? [Number(event.target.value)] : [], byday: [] })}
              >
                <option value="">its due day</option>
                {Array.from({ length: 31 }, (_, i) => i + 1).map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
                <option value={-1}>last</option>
              </select>
            </>
          )}
        </div>
      )}
      {rule && (
        <label className="inline-check">
          <input
            type="checkbox"
            checked={fromCompletion}
            onChange={(event) => {
              setFromCompletion(event.target.checked);
              // From completion, only FREQ and INTERVAL count.
              if (event.target.checked) edit({ byday: [], bymonthday: [], rest: [] });
            }}
          />
          Count from when it is done
        </label>
      )}
      {rule && <p className="hint">{describeRepeat(rule, fromCompletion ? "completion" : "due")}.</p>}
    </fieldset>
  );
}
