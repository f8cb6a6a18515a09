"""The Korean notebooks sit one folder below the English ones; their ``import _course`` finds
this file, which loads the shared helpers (``../_course.py``), so both editions run one copy.

한국어 노트북은 영어 노트북보다 한 단계 아래 폴더에 있어서, ``import _course``가 이 파일을
찾습니다. 이 파일은 위 폴더의 ``_course.py``를 그대로 불러올 뿐이므로 두 판이 같은 코드를 씁니다.
"""
import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_course_shared", pathlib.Path(__file__).resolve().parent.parent / "_course.py")
_shared = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shared)
globals().update({k: v for k, v in vars(_shared).items() if not k.startswith("__")})
__all__ = _shared.__all__
