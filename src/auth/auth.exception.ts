import { DomainException, type ErrorCategory } from '../common/domain.exception';

export enum AuthErrorCode {
  MissingToken = 'auth.missing-token',
  InvalidToken = 'auth.invalid-token',
  MissingRole = 'auth.missing-role',
  NoRolesDeclared = 'auth.no-roles-declared',
  InvalidRequest = 'auth.invalid-request',
  TokenNotFound = 'auth.token-not-found',
}

const CATEGORY: Record<AuthErrorCode, ErrorCategory> = {
  [AuthErrorCode.MissingToken]: 'unauthenticated',
  [AuthErrorCode.InvalidToken]: 'unauthenticated',
  [AuthErrorCode.MissingRole]: 'forbidden',
  [AuthErrorCode.NoRolesDeclared]: 'forbidden',
  [AuthErrorCode.InvalidRequest]: 'invalid',
  [AuthErrorCode.TokenNotFound]: 'not-found',
};

export class AuthException extends DomainException {
  constructor(code: AuthErrorCode, message: string) {
    super(code, CATEGORY[code], message);
  }
}
