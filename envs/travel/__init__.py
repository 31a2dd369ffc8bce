"""Travel domain environments: TravelBooking and HotelBooking (task templates in templates/, tasks in tasks/)."""
