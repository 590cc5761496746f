/**
 * Limits the forms show and the servers enforce. The task limits mirror the
 * backend's schema (a test compares them with lib/shared/openapi.json); the
 * password length is Better-Auth's setting and the sign-up form's hint.
 */
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;
export const MIN_PASSWORD_LENGTH = 8;
/** A tag's length in characters, and how many tags a task may carry (as the backend's schema says). */
export const TAG_MAX_LENGTH = 32;
export const TAGS_PER_TASK = 10;
