"""Printed documents: cover letters (送付状), the annual mass mailing (一斉発送),
returned mail (返戻) and the daily processing checklist (日別処理状況リスト)."""
