"""Reference bot for ``benchmarks/answer_path.py``: the same questions as an
aiogram-dialog-survey 0.3.2 survey, set up as its README shows (``Survey(...).to_dialog()``,
``MemoryStorage``, ``setup_dialogs``, ``/start`` opens the first question). Each answer edits
the one survey message into the next question; answers live in memory (``dialog_data``) only.

aiogram-dialog-survey is not a dependency of datatool: it comes from the ``peers`` dependency
group (``./dev bench answer_path`` installs it). Environment as :mod:`bare`.

Shows ``Вопрос N/M`` (its own numbering, in Russian) first; the option buttons carry
aiogram-dialog's callback data.
"""

from __future__ import annotations

import asyncio

from aiogram import Dispatcher, types
from aiogram.filters import CommandStart
from aiogram.fsm.storage.memory import MemoryStorage
from aiogram_dialog import DialogManager, setup_dialogs
from aiogram_dialog_survey import Survey
from aiogram_dialog_survey.entities.button import Button
from aiogram_dialog_survey.entities.question import Question, WidgetType
from bare import load_spec, make_bot  # run as a script: benchmarks/peers/ is on sys.path


def build_survey() -> Survey:
    questions = [
        Question(
            name=q["id"],
            widget_type=WidgetType.SELECT if q["options"] else WidgetType.TEXT_INPUT,
            text=q["text"],
            # Not is_required=True, as the README has it: a required question gets a button with
            # empty text beside Cancel (survey.py, ``Button(Const(''), id='none')``), which
            # Telegram, and the stand-in, refuse (BUTTON_TEXT_INVALID). Optional questions show
            # a skip button there instead, as datatool's typed questions do.
            is_required=False,
            buttons=[Button(text=label, callback=value) for label, value in q["options"]] or None,
        )
        for q in load_spec()
    ]
    return Survey(name="datatool_peer", questions=questions)


async def main() -> None:
    survey = build_survey()

    async def start_handler(message: types.Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(survey.state_manager.get_first_state())

    dp = Dispatcher(storage=MemoryStorage())
    dp.include_router(survey.to_dialog())
    dp.message.register(start_handler, CommandStart())
    setup_dialogs(dp)
    await dp.start_polling(make_bot(), polling_timeout=10, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
