"""Vietnamese texts of a deployment serving several wards: plan identities, choosing a
ward, the city roll-up."""

from __future__ import annotations

NO_PLAN_FILES = "Thư mục kế hoạch {path} không có tệp kế hoạch nào (*.yaml, *.yml)."
SAME_IDENTITY = (
    "Hai tệp kế hoạch {first} và {second} cùng là kế hoạch {code} của {ward}: mỗi tệp phải là "
    "kế hoạch của một phường, hoặc một kế hoạch có số khác. Hãy bỏ một tệp khỏi thư mục."
)
OTHER_PLAN_IN_DB = (
    "Cơ sở dữ liệu đã giữ một kế hoạch khác cùng phường và cùng số ({key}): kế hoạch {code} của "
    "{ward} ban hành ngày {old_issued}, còn tệp {path} là kế hoạch ban hành ngày {issued}. Bot không "
    "ghi đè kế hoạch đang có. Hãy dùng cơ sở dữ liệu khác cho kế hoạch mới, hoặc sửa ngày ban hành "
    "(plan.issued) trong tệp nếu đó là cùng một kế hoạch."
)
WARD_REQUIRED = "Có nhiều phường, hãy chọn một bằng --ward (tên phường hoặc mã). Các phường: {wards}."
UNKNOWN_WARD = 'Không có phường "{ward}". Các phường: {wards}.'
AMBIGUOUS_WARD = '"{ward}" trùng với nhiều kế hoạch, hãy ghi mã: {wards}.'

WARD_NOT_SERVED = (
    "Phường của anh/chị hiện không còn trong danh sách bot phục vụ. Xin liên hệ Văn phòng để được cấp lại mã liên kết."
)
CHOOSE_WARD = "Anh/chị theo dõi nhiều phường: hãy ghi tên phường ngay sau lệnh, ví dụ {example}.\nCác phường: {wards}."

ROLLUP_TITLE = "Tổng hợp các phường, tính đến ngày {day} (phường nhiều việc quá hạn nhất đứng trước):"
ROLLUP_LINE = (
    "{n}. {ward} — {total} lượt: đúng hạn {on_time}, trễ hạn {late}, trong hạn {in_term}, "
    "quá hạn {overdue} ({share} quá hạn)"
)
ROLLUP_EMPTY = "{n}. {ward} — chưa có nhiệm vụ nào đến kỳ"
ROLLUP_HINT = "Xem chi tiết một phường: /summary TÊN_PHƯỜNG, ví dụ {example}."
ROLLUP_NO_WARDS = "Bot chưa phục vụ phường nào."

CITY_SHEET = "Tổng hợp thành phố"
CITY_HEADERS = (
    "STT",
    "Phường",
    "Kế hoạch",
    "Tổng số lượt",
    "Hoàn thành đúng hạn",
    "Hoàn thành trễ hạn",
    "Đang thực hiện trong hạn",
    "Quá hạn",
    "Tỷ lệ quá hạn",
)
CITY_TITLE = "TỔNG HỢP TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH CỦA CÁC PHƯỜNG"
CITY_CUTOFF = "Tính đến ngày {day}"
