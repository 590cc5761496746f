/**
 * Limits the forms show and the servers enforce. The task limits mirror the
 * backend's schema (a test compares them with lib/shared/openapi.json); the
 * password length is Better-Auth's setting and the sign-up form's hint.
 */
export const TITLE_MAX_LENGTH = 200;
export const DESCRIPTION_MAX_LENGTH = 2000;
export const MIN_PASSWORD_LENGTH = 8;
