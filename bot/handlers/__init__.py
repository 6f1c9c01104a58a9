"""aiogram routers."""
