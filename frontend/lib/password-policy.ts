/** Shared by the Better-Auth server settings and the sign-up form's hint. */
export const MIN_PASSWORD_LENGTH = 8;
