"""The Korean notebooks' ``import _tasks`` finds this file, which loads the shared experiments
(``../_tasks.py``), so both editions run one copy.

한국어 노트북의 ``import _tasks``는 이 파일을 찾고, 이 파일은 위 폴더의 ``_tasks.py``를 그대로
불러옵니다. 두 판이 같은 실험 코드를 씁니다.
"""
import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_tasks_shared", pathlib.Path(__file__).resolve().parent.parent / "_tasks.py")
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)
globals().update({k: v for k, v in vars(_shared).items() if not k.startswith("__")})
__all__ = _shared.__all__
