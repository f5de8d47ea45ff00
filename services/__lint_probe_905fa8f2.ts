import { Booking } from '../db/models.js';
export const find = () => Booking.find();
