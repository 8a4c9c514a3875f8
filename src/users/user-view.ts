/** A user as the API returns it, for the routes of other features that answer with one (registration, `/auth/me`). */
export { MeDto, UserDto } from './dto/user.dto';
